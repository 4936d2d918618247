-- Fixed-point requantization with ap_fixed rounding and overflow modes: the VHDL-2008 twin of rtl/requantize.v.
--
-- Converts a value with IN_FRAC fractional bits to OUT_WIDTH bits with OUT_FRAC fractional bits: optional
-- ReLU, then rounding of the dropped bits, then overflow handling. Purely combinational; the generator places
-- registers around it. Matches rtl4ml.fixed_point.requantize (and requantize.v) bit for bit. numeric_std only.
library ieee;
use ieee.std_logic_1164.all;
use ieee.numeric_std.all;

entity requantize is
    generic (
        -- Input width and fractional bits (IN_FRAC may be negative or exceed IN_WIDTH)
        IN_WIDTH   : positive := 16;
        IN_FRAC    : integer  := 8;
        -- 1: input is two's complement, 0: unsigned
        IN_SIGNED  : natural range 0 to 1 := 1;
        -- Output width (>= 1; >= 2 when signed) and fractional bits
        OUT_WIDTH  : positive := 8;
        OUT_FRAC   : integer  := 4;
        -- 1: output is two's complement, 0: unsigned
        OUT_SIGNED : natural range 0 to 1 := 1;
        -- 0 AP_TRN, 1 AP_TRN_ZERO, 2 AP_RND, 3 AP_RND_ZERO, 4 AP_RND_MIN_INF, 5 AP_RND_INF, 6 AP_RND_CONV
        ROUNDING   : natural range 0 to 6 := 0;
        -- 0 AP_WRAP, 1 AP_SAT, 2 AP_SAT_ZERO, 3 AP_SAT_SYM
        OVERFLOW   : natural range 0 to 3 := 0;
        -- 1: clamp negative inputs to zero before rounding (fused ReLU)
        RELU       : natural range 0 to 1 := 0
    );
    port (
        in_data  : in  std_logic_vector(IN_WIDTH - 1 downto 0);
        out_data : out std_logic_vector(OUT_WIDTH - 1 downto 0)
    );
end entity requantize;

architecture rtl of requantize is
    function maximum_of(a, b : integer) return integer is
    begin
        if a > b then
            return a;
        end if;
        return b;
    end function;

    function round_width_of(shift, work_width, ext_width : integer) return integer is
    begin
        if shift > 0 then
            return work_width - shift + 1;
        end if;
        return ext_width - shift;
    end function;

    -- The largest (or smallest) output code, sign-extended to `width` bits.
    function bound(width : positive; upper : boolean) return signed is
        variable result : signed(width - 1 downto 0);
    begin
        if OUT_SIGNED = 1 then
            if upper then  -- 0...01...1: OUT_WIDTH - 1 ones
                result := (others => '0');
                result(OUT_WIDTH - 2 downto 0) := (others => '1');
            else  -- 1...10...0: OUT_WIDTH - 1 zeros
                result := (others => '1');
                result(OUT_WIDTH - 2 downto 0) := (others => '0');
            end if;
        else
            result := (others => '0');
            if upper then
                result(OUT_WIDTH - 1 downto 0) := (others => '1');
            end if;
        end if;
        return result;
    end function;

    constant SHIFT       : integer  := IN_FRAC - OUT_FRAC;
    constant EXT_WIDTH   : positive := IN_WIDTH + 1;
    -- Working width before the shift: room for the sign and for every dropped bit
    constant WORK_WIDTH  : positive := maximum_of(SHIFT + 1, EXT_WIDTH);
    -- Width of the rounded value (one extra bit for the rounding increment)
    constant ROUND_WIDTH : positive := round_width_of(SHIFT, WORK_WIDTH, EXT_WIDTH);
    -- Comparison width: holds the rounded value and the output bounds
    constant CMP_WIDTH   : positive := maximum_of(ROUND_WIDTH, OUT_WIDTH + 1) + 1;
    constant MAX_VALUE   : signed(CMP_WIDTH - 1 downto 0) := bound(CMP_WIDTH, true);
    constant MIN_VALUE   : signed(CMP_WIDTH - 1 downto 0) := bound(CMP_WIDTH, false);
    -- AP_SAT_SYM: the most negative code is excluded (signed outputs)
    constant SYM_MIN     : signed(CMP_WIDTH - 1 downto 0) := MIN_VALUE + OUT_SIGNED;

    signal extended  : signed(EXT_WIDTH - 1 downto 0);
    signal activated : signed(EXT_WIDTH - 1 downto 0);
    signal rounded   : signed(ROUND_WIDTH - 1 downto 0);
begin
    assert not (OUT_SIGNED = 1 and OUT_WIDTH < 2)
        report "requantize: a signed output needs OUT_WIDTH >= 2" severity failure;

    extended <= resize(signed(in_data), EXT_WIDTH) when IN_SIGNED = 1 else signed('0' & in_data);
    activated <= (others => '0') when RELU = 1 and extended(EXT_WIDTH - 1) = '1' else extended;

    g_round : if SHIFT > 0 generate
        signal working : signed(WORK_WIDTH - 1 downto 0);
        signal floor_value : signed(ROUND_WIDTH - 2 downto 0);
        signal negative, half, rest, increment : std_logic;
    begin
        working <= resize(activated, WORK_WIDTH);
        floor_value <= resize(shift_right(working, SHIFT), ROUND_WIDTH - 1);
        negative <= working(WORK_WIDTH - 1);
        half <= working(SHIFT - 1);
        rest <= or working(SHIFT - 2 downto 0);  -- a null range (SHIFT = 1) reduces to '0'
        with ROUNDING select increment <=
            negative and (half or rest) when 1,
            half when 2,
            half and (rest or negative) when 3,
            half and rest when 4,
            half and (rest or not negative) when 5,
            half and (rest or floor_value(0)) when 6,
            '0' when others;
        rounded <= resize(floor_value, ROUND_WIDTH) + ("0" & increment);
    end generate;

    g_shift_left : if SHIFT <= 0 generate
        rounded <= shift_left(resize(activated, ROUND_WIDTH), -SHIFT);
    end generate;

    process (rounded)
        variable value, result : signed(CMP_WIDTH - 1 downto 0);
        variable lowest : signed(CMP_WIDTH - 1 downto 0);
    begin
        value := resize(rounded, CMP_WIDTH);
        lowest := MIN_VALUE;
        if OVERFLOW = 3 then
            lowest := SYM_MIN;
        end if;
        result := value;
        if OVERFLOW /= 0 and (value > MAX_VALUE or value < lowest) then
            if OVERFLOW = 2 then
                result := (others => '0');
            elsif value > MAX_VALUE then
                result := MAX_VALUE;
            else
                result := lowest;
            end if;
        end if;
        -- AP_WRAP keeps the low bits, which is exactly modular wrap-around
        out_data <= std_logic_vector(result(OUT_WIDTH - 1 downto 0));
    end process;
end architecture rtl;
