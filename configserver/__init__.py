"""The config server: deploy API, application packages, sessions in ZooKeeper, config API."""
