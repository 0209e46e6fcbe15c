"""The HTTP layer: werkzeug `Request -> Response`, doing what Elasticsearch's REST layer does."""
