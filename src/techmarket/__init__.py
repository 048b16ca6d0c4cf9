"""Qinghai Open Technology Market (青海科技开放合作平台)."""
