"""The Slack layer: the Bolt app, its listeners, message rendering and the HTTP server."""
