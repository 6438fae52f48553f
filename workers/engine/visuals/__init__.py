"""Pictures for a scene: the user's library, stock providers, generated images, cards."""
