# Image for docker-compose.yaml: the official Airflow image plus this project's lock.
FROM apache/airflow:3.3.2-python3.11
COPY requirements.txt /requirements.txt
RUN pip install --no-cache-dir -r /requirements.txt
