"""A Python server for the Apache Deltacloud REST API."""

# The API version the wire speaks: clients read it from <api version="...">
# and the Server header, so it follows the Deltacloud release we match.
API_VERSION = "1.1.3"
__version__ = "0.1.0"
