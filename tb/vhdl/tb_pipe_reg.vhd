-- VUnit testbench of rtl/vhdl/pipe_reg.vhd: every line of `vectors` is one clock cycle,
-- "<ce> <input bits> <checked> <expected output bits after the edge>", written by tb/vhdl/run_primitives.py from
-- a Python delay line of STAGES enabled cycles (the Verilog twin's reference); unchecked lines are still filling.
library ieee;
use ieee.std_logic_1164.all;

library vunit_lib;
context vunit_lib.vunit_context;

use work.tb_clocked_pkg.all;

entity tb_pipe_reg is
    generic (
        runner_cfg : string;
        vectors    : string;
        WIDTH      : positive;
        STAGES     : natural
    );
end entity tb_pipe_reg;

architecture tb of tb_pipe_reg is
    signal clk : std_logic := '0';
    signal ce : std_logic := '0';
    signal in_data : std_logic_vector(WIDTH - 1 downto 0) := (others => '0');
    signal out_data : std_logic_vector(WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        play_clocked_vectors(vectors, clk, ce, in_data, out_data);
        test_runner_cleanup(runner);
    end process;

    dut : entity work.pipe_reg
        generic map (WIDTH => WIDTH, STAGES => STAGES)
        port map (clk => clk, ce => ce, in_data => in_data, out_data => out_data);
end architecture tb;
