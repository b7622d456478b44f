"""Full-screen views of the app: one module per screen."""
