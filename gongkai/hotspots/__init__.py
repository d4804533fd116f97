"""Complaint imports (12315) and hot-spot analysis of messages and complaints."""
