-- VUnit testbench of rtl/vhdl/requantize.vhd against rtl4ml.fixed_point.requantize (the Verilog twin's reference),
-- every input code of the parameter set. Packed columns (tb/vhdl/run_primitives.py): input in_data, output
-- out_data, checked on every row. The requantizer is combinational: the model's clock is left unconnected.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

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
    signal clk : std_logic := '0';
    signal in_data : std_logic_vector(IN_WIDTH - 1 downto 0) := (others => '0');
    signal out_data : std_logic_vector(OUT_WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, in_data, out_data);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.requantize
        generic map (IN_WIDTH => IN_WIDTH, IN_FRAC => IN_FRAC, IN_SIGNED => IN_SIGNED, OUT_WIDTH => OUT_WIDTH,
                     OUT_FRAC => OUT_FRAC, OUT_SIGNED => OUT_SIGNED, ROUNDING => ROUNDING, OVERFLOW => OVERFLOW,
                     RELU => RELU)
        port map (in_data => in_data, out_data => out_data);
end architecture tb;
