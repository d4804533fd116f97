"""Consultations on drafts (意见征集): drafts, comments, screening, opinions, adoption feedback."""
