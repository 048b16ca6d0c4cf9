"""Pages of technology trading and registration (Chinese). Views parse input, call techmarket.market.services
and render; the rules live in the services."""

