"""Repeated requests turned into proactive disclosure (依申请转主动, 条例第四十四条)."""
