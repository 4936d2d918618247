"""cocotb testbenches: one folder per rtl/ module, and core/ for generated cores."""
