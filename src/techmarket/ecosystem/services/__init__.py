"""The ecosystem's domain logic: conditions (第二十条), institutions, brokers, complaints and sanctions, standing."""
