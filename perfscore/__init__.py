"""perfscore: re-score and audit 绩效自评表."""
__version__ = "0.1.0"
