"""The domain logic of technology trading and registration; views, the API and commands call these."""
