"""Fine-tuning: datasets from the corpus, adapter training (peft), the adapter registry."""
