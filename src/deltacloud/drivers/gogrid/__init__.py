"""The GoGrid driver: GoGrid API 1.x (v=1.9), signed JSON calls over HttpClient."""
