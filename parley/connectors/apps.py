from django.apps import AppConfig


class ConnectorsConfig(AppConfig):
    name = "parley.connectors"
    label = "connectors"
