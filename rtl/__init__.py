"""Hand-written parameterized Verilog modules and the jinja2 templates of generated files.

Shipped as package data so a non-editable install can generate cores.
"""
