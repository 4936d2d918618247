-- Pipeline delay line with a shared clock enable: the VHDL-2008 twin of rtl/pipe_reg.v.
--
-- Delays a bus by STAGES registers; every register advances only when ce is high, so a whole pipeline
-- stalls together under backpressure. STAGES = 0 is a plain wire, which lets generated code place
-- registers by a generic. No reset: the data registers need none (the valid flags travel in their own).
library ieee;
use ieee.std_logic_1164.all;

entity pipe_reg is
    generic (
        -- Bus width in bits (>= 1)
        WIDTH  : positive := 8;
        -- Number of register stages (>= 0); 0 passes the bus straight through
        STAGES : natural := 1
    );
    port (
        clk      : in  std_logic;
        ce       : in  std_logic;
        in_data  : in  std_logic_vector(WIDTH - 1 downto 0);
        out_data : out std_logic_vector(WIDTH - 1 downto 0)
    );
end entity pipe_reg;

architecture rtl of pipe_reg is
begin
    g_wire : if STAGES = 0 generate
        out_data <= in_data;
    end generate;

    g_chain : if STAGES > 0 generate
        type stage_array is array (0 to STAGES - 1) of std_logic_vector(WIDTH - 1 downto 0);
        signal stage_reg : stage_array;  -- stage 0 is the newest
    begin
        process (clk)
        begin
            if rising_edge(clk) then
                if ce = '1' then
                    stage_reg(0) <= in_data;
                    for k in 1 to STAGES - 1 loop
                        stage_reg(k) <= stage_reg(k - 1);
                    end loop;
                end if;
            end if;
        end process;
        out_data <= stage_reg(STAGES - 1);
    end generate;
end architecture rtl;
