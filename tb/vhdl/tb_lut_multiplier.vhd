-- VUnit testbench of rtl/vhdl/lut_multiplier.vhd against the product of its operands as signed integers
-- (rtl4ml.tb.vectors.lut_multiplier_vectors, the Verilog twin's reference). Packed columns, bit 0 first
-- (tb/vhdl/run_primitives.py): inputs a, b; output p, checked on every row. The multiplier is combinational: the
-- model's clock is left unconnected.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_lut_multiplier is
    generic (
        runner_cfg : string;
        vectors    : string;
        A_WIDTH    : positive;
        B_WIDTH    : positive;
        LEVELS     : positive
    );
end entity tb_lut_multiplier;

architecture tb of tb_lut_multiplier is
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(A_WIDTH + B_WIDTH - 1 downto 0) := (others => '0');
    signal outputs : std_logic_vector(A_WIDTH + B_WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.lut_multiplier
        generic map (A_WIDTH => A_WIDTH, B_WIDTH => B_WIDTH, LEVELS => LEVELS)
        port map (a => inputs(A_WIDTH - 1 downto 0), b => inputs(A_WIDTH + B_WIDTH - 1 downto A_WIDTH),
                  p => outputs);
end architecture tb;
