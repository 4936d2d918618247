-- VUnit testbench of rtl/vhdl/lookup_table.vhd. `contents` holds one entry per line (bits, entry 0 first), the
-- same entries as the Verilog twin's cocotb test; every address is read, and addresses past DEPTH must read the
-- last entry.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;
use std.textio.all;

library vunit_lib;
context vunit_lib.vunit_context;

entity tb_lookup_table is
    generic (
        runner_cfg : string;
        contents   : string;
        ADDR_WIDTH : positive;
        DATA_WIDTH : positive;
        DEPTH      : positive
    );
end entity tb_lookup_table;

architecture tb of tb_lookup_table is
    type entry_array is array (0 to DEPTH - 1) of std_logic_vector(DATA_WIDTH - 1 downto 0);

    impure function read_entries return entry_array is
        file source : text open read_mode is contents;
        variable row : line;
        variable entries : entry_array;
    begin
        for k in entries'range loop
            readline(source, row);
            read(row, entries(k));
        end loop;
        return entries;
    end function;

    function packed(entries : entry_array) return std_logic_vector is
        variable result : std_logic_vector(DEPTH * DATA_WIDTH - 1 downto 0);
    begin
        for k in entries'range loop
            result(k * DATA_WIDTH + DATA_WIDTH - 1 downto k * DATA_WIDTH) := entries(k);
        end loop;
        return result;
    end function;

    constant ENTRIES : entry_array := read_entries;
    signal addr : std_logic_vector(ADDR_WIDTH - 1 downto 0) := (others => '0');
    signal data : std_logic_vector(DATA_WIDTH - 1 downto 0);
begin
    main : process
    begin
        test_runner_setup(runner, runner_cfg);
        for address in 0 to 2 ** ADDR_WIDTH - 1 loop
            addr <= std_logic_vector(to_unsigned(address, ADDR_WIDTH));
            wait for 1 ns;
            check_equal(unsigned(data), unsigned(ENTRIES(minimum(address, DEPTH - 1))),
                        "address " & to_string(address));
        end loop;
        test_runner_cleanup(runner);
    end process;

    dut : entity work.lookup_table
        generic map (ADDR_WIDTH => ADDR_WIDTH, DATA_WIDTH => DATA_WIDTH, DEPTH => DEPTH, CONTENTS => packed(ENTRIES))
        port map (addr => addr, data => data);
end architecture tb;
