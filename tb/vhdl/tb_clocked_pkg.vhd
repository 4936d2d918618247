-- What the clocked primitives' VUnit testbenches share (and the combinational add3's and requantize's, their clock
-- unconnected): play a cycle-accurate model's rows (tb/vhdl/run_primitives.py writes them from the Verilog twin's
-- Python reference in rtl4ml.tb.vectors) through a DUT.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;

library vunit_lib;
context vunit_lib.vunit_context;

package tb_clocked_pkg is
    -- A cycle-accurate model's rows: "<inputs bits> <expected outputs bits> <compare mask bits>" per cycle; the
    -- inputs are driven, the outputs compared where the mask is 1 (before the edge), then the clock rises.
    -- The testbench maps the packed `inputs` / `outputs` onto the DUT's ports (column order: run_primitives.py).
    procedure play_cycle_model(vectors : string; signal clk : out std_logic; signal inputs : out std_logic_vector;
                               signal outputs : in std_logic_vector);
end package tb_clocked_pkg;

package body tb_clocked_pkg is
    procedure play_cycle_model(vectors : string; signal clk : out std_logic; signal inputs : out std_logic_vector;
                               signal outputs : in std_logic_vector) is
        file source : text;
        variable row : line;
        variable driven : std_logic_vector(inputs'length - 1 downto 0);
        variable expected, mask : std_logic_vector(outputs'length - 1 downto 0);
        variable cycle : natural := 0;
    begin
        file_open(source, vectors, read_mode);
        while not endfile(source) loop
            readline(source, row);
            read(row, driven);
            read(row, expected);
            read(row, mask);
            inputs <= driven;
            wait for 1 ns;
            for k in mask'range loop
                if mask(k) = '1' then
                    check_equal(outputs(k), expected(k), "output bit " & to_string(k) & ", cycle " & to_string(cycle));
                end if;
            end loop;
            clk <= '1';
            wait for 1 ns;
            clk <= '0';
            cycle := cycle + 1;
        end loop;
        file_close(source);
        check(cycle > 0, "no cycles in " & vectors);
        info("played " & to_string(cycle) & " cycles");
    end procedure;
end package body tb_clocked_pkg;
