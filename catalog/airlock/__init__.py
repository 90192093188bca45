"""Safe outputs: output release requests, their two blind reviews, and download."""
