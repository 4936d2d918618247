-- VUnit testbench of rtl/vhdl/add3.vhd against x +- y +- z modulo 2**WIDTH (rtl4ml.tb.vectors.add3_vectors, the
-- Verilog twin's reference). Packed columns, bit 0 first (tb/vhdl/run_primitives.py): inputs x, y, z; output sum,
-- checked on every row. The adder is combinational: the model's clock is left unconnected.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_add3 is
    generic (
        runner_cfg  : string;
        vectors     : string;
        WIDTH       : positive;
        NEGATE      : natural;
        CARRY_CHAIN : natural  -- the Verilog twin's; synthesis only
    );
end entity tb_add3;

architecture tb of tb_add3 is
    signal clk : std_logic := '0';
    signal inputs : std_logic_vector(3 * WIDTH - 1 downto 0) := (others => '0');
    signal outputs : std_logic_vector(WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_cycle_model(vectors, clk, inputs, outputs);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.add3
        generic map (WIDTH => WIDTH, NEGATE => NEGATE)
        port map (x => inputs(WIDTH - 1 downto 0), y => inputs(2 * WIDTH - 1 downto WIDTH),
                  z => inputs(3 * WIDTH - 1 downto 2 * WIDTH), sum => outputs);
end architecture tb;
