"""Belgian recognisers: national register and BIS numbers, phone numbers, addresses."""
