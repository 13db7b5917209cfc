"""Decide: rules that turn the situation and the measurements into a recommendation, and a cost model."""
