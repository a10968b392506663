CREATE DATABASE {database} TEMPLATE {template}
