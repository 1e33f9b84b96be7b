"""Flask-level parts beside the Dash pages: JSON endpoints and CLI commands."""
