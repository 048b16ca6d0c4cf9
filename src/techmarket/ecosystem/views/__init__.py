"""Pages of the ecosystem: institutions (filing, review, register), brokers, complaints and sanctions."""
