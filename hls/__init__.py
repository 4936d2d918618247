"""The HLS C++ layer library (nnet_utils/) and the jinja2 templates of generated HLS projects.

Shipped as package data so a non-editable install can write HLS projects.
"""
