-- VUnit testbench of rtl/vhdl/requantize.vhd: every line of `vectors` is "<input bits> <expected output bits>",
-- written by tb/vhdl/run_primitives.py from rtl4ml.fixed_point.requantize (the Verilog twin's reference).
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;

library vunit_lib;
context vunit_lib.vunit_context;

entity tb_requantize is
    generic (
        runner_cfg : string;
        vectors    : string;
        IN_WIDTH   : positive;
        IN_FRAC    : integer;
        IN_SIGNED  : natural;
        OUT_WIDTH  : positive;
        OUT_FRAC   : integer;
        OUT_SIGNED : natural;
        ROUNDING   : natural;
        OVERFLOW   : natural;
        RELU       : natural
    );
end entity tb_requantize;

architecture tb of tb_requantize is
    signal in_data  : std_logic_vector(IN_WIDTH - 1 downto 0) := (others => '0');
    signal out_data : std_logic_vector(OUT_WIDTH - 1 downto 0);
begin
    main : process
        file source : text;
        variable row : line;
        variable x : std_logic_vector(IN_WIDTH - 1 downto 0);
        variable expected : std_logic_vector(OUT_WIDTH - 1 downto 0);
        variable checked : natural := 0;
    begin
        test_runner_setup(runner, runner_cfg);
        file_open(source, vectors, read_mode);
        while not endfile(source) loop
            readline(source, row);
            read(row, x);
            read(row, expected);
            in_data <= x;
            wait for 1 ns;
            check_equal(unsigned(out_data), unsigned(expected), "input " & to_string(x));
            checked := checked + 1;
        end loop;
        file_close(source);
        check(checked > 0, "no vectors in " & vectors);
        info("checked " & to_string(checked) & " input codes");
        test_runner_cleanup(runner);
    end process;

    dut : entity work.requantize
        generic map (IN_WIDTH => IN_WIDTH, IN_FRAC => IN_FRAC, IN_SIGNED => IN_SIGNED, OUT_WIDTH => OUT_WIDTH,
                     OUT_FRAC => OUT_FRAC, OUT_SIGNED => OUT_SIGNED, ROUNDING => ROUNDING, OVERFLOW => OVERFLOW,
                     RELU => RELU)
        port map (in_data => in_data, out_data => out_data);
end architecture tb;
