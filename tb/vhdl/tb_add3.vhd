-- VUnit testbench of rtl/vhdl/add3.vhd: every line of `vectors` is "<x> <y> <z> <expected sum>" in bits, written by
-- tb/vhdl/run_primitives.py from rtl4ml.tb.vectors.add3_vectors (the Verilog twin's reference).
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;

library vunit_lib;
context vunit_lib.vunit_context;

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
    signal x, y, z : std_logic_vector(WIDTH - 1 downto 0) := (others => '0');
    signal sum : std_logic_vector(WIDTH - 1 downto 0);
begin
    main : process
        file source : text;
        variable row : line;
        variable vx, vy, vz, expected : std_logic_vector(WIDTH - 1 downto 0);
        variable checked : natural := 0;
    begin
        test_runner_setup(runner, runner_cfg);
        file_open(source, vectors, read_mode);
        while not endfile(source) loop
            readline(source, row);
            read(row, vx);
            read(row, vy);
            read(row, vz);
            read(row, expected);
            x <= vx;
            y <= vy;
            z <= vz;
            wait for 1 ns;
            check_equal(unsigned(sum), unsigned(expected), "x " & to_string(vx) & " y " & to_string(vy) & " z " &
                        to_string(vz));
            checked := checked + 1;
        end loop;
        file_close(source);
        check(checked > 0, "no vectors in " & vectors);
        info("checked " & to_string(checked) & " operand triples");
        test_runner_cleanup(runner);
    end process;

    dut : entity work.add3
        generic map (WIDTH => WIDTH, NEGATE => NEGATE)
        port map (x => x, y => y, z => z, sum => sum);
end architecture tb;
