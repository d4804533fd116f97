"""Answers from published information (智能问答): FAQs and the question box."""
