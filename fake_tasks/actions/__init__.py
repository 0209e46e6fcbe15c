"""Transport actions per API family: what the server does for a typed request, on the model."""
