"""The shipped default model (installed as ``platedigits.models``)."""
