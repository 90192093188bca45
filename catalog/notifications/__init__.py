"""Notifications: every state change of a permit application or an output release request
tells the people concerned, in the portal and by e-mail."""
