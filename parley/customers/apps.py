from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "parley.customers"
    label = "customers"
