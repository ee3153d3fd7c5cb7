-- D0018 Daily Profile Coefficient files (Elexon SVAA via the DTC,
-- domain.md §1.5): per settlement day and run, per GSP group, profile class
-- and profile, the Basic Period Profile Coefficients (BPP, 50 half-hour
-- slots so that clock-change days fit) and, per Standard Settlement
-- Configuration and Time Pattern Regime, the Period Profile Coefficients
-- (PPC) with their Period Register Status Indicators (PRSI). One row per
-- BPP or PPC record, with its ZPD, GSP, PCL and PFL (and SSC, VMR) context
-- carried down. Slots beyond the day's settlement periods are NULL.

-- +goose Up
create table raw.d0018_basic_period_profile_coefficients (
    load_id                     text             not null,
    file_name                   text             not null,
    line_no                     bigint           not null,  -- line of the BPP/PPC record
    flow_file_id                text,                       -- ZHV file identifier (NULL: the file has no ZHV)
    settlement_date             timestamp        not null,  -- ZPD settlement date (midnight)
    settlement_code             text             not null,  -- ZPD settlement code (II, SF, R1..R3, RF, DF)
    run_type                    text,                       -- ZPD run type code
    run_number                  bigint           not null,  -- ZPD run number: a later run supersedes
    gsp_group_id                text             not null,  -- GSP group (_A.._P)
    noon_temperature_actual     double precision,           -- GSP actual noon temperature
    noon_temperature_effective  double precision,           -- GSP effective noon temperature
    sunset_time                 text,                       -- GSP time of sunset (hhmm, as delivered)
    sunset_variable             double precision,           -- GSP sunset variable
    profile_class_id            bigint           not null,  -- PCL profile class (1..8)
    profile_id                  bigint           not null,  -- PFL profile
    period_count                bigint           not null,  -- settlement periods of the day (46, 48, 50)
    bpp_01                      double precision,           -- BPP slot 1 (NULL: slot empty)
    bpp_02                      double precision,
    bpp_03                      double precision,
    bpp_04                      double precision,
    bpp_05                      double precision,
    bpp_06                      double precision,
    bpp_07                      double precision,
    bpp_08                      double precision,
    bpp_09                      double precision,
    bpp_10                      double precision,
    bpp_11                      double precision,
    bpp_12                      double precision,
    bpp_13                      double precision,
    bpp_14                      double precision,
    bpp_15                      double precision,
    bpp_16                      double precision,
    bpp_17                      double precision,
    bpp_18                      double precision,
    bpp_19                      double precision,
    bpp_20                      double precision,
    bpp_21                      double precision,
    bpp_22                      double precision,
    bpp_23                      double precision,
    bpp_24                      double precision,
    bpp_25                      double precision,
    bpp_26                      double precision,
    bpp_27                      double precision,
    bpp_28                      double precision,
    bpp_29                      double precision,
    bpp_30                      double precision,
    bpp_31                      double precision,
    bpp_32                      double precision,
    bpp_33                      double precision,
    bpp_34                      double precision,
    bpp_35                      double precision,
    bpp_36                      double precision,
    bpp_37                      double precision,
    bpp_38                      double precision,
    bpp_39                      double precision,
    bpp_40                      double precision,
    bpp_41                      double precision,
    bpp_42                      double precision,
    bpp_43                      double precision,
    bpp_44                      double precision,
    bpp_45                      double precision,
    bpp_46                      double precision,
    bpp_47                      double precision,
    bpp_48                      double precision,
    bpp_49                      double precision,
    bpp_50                      double precision
);

create table raw.d0018_period_profile_coefficients (
    load_id                     text             not null,
    file_name                   text             not null,
    line_no                     bigint           not null,  -- line of the BPP/PPC record
    flow_file_id                text,                       -- ZHV file identifier (NULL: the file has no ZHV)
    settlement_date             timestamp        not null,  -- ZPD settlement date (midnight)
    settlement_code             text             not null,  -- ZPD settlement code (II, SF, R1..R3, RF, DF)
    run_type                    text,                       -- ZPD run type code
    run_number                  bigint           not null,  -- ZPD run number: a later run supersedes
    gsp_group_id                text             not null,  -- GSP group (_A.._P)
    noon_temperature_actual     double precision,           -- GSP actual noon temperature
    noon_temperature_effective  double precision,           -- GSP effective noon temperature
    sunset_time                 text,                       -- GSP time of sunset (hhmm, as delivered)
    sunset_variable             double precision,           -- GSP sunset variable
    profile_class_id            bigint           not null,  -- PCL profile class (1..8)
    profile_id                  bigint           not null,  -- PFL profile
    ssc_id                      text             not null,  -- SSC standard settlement configuration ("0393")
    tpr_id                      text             not null,  -- VMR time pattern regime ("00001")
    period_count                bigint           not null,  -- settlement periods of the day (46, 48, 50)
    ppc_01                      double precision,
    prsi_01                     bigint,
    ppc_02                      double precision,
    prsi_02                     bigint,
    ppc_03                      double precision,
    prsi_03                     bigint,
    ppc_04                      double precision,
    prsi_04                     bigint,
    ppc_05                      double precision,
    prsi_05                     bigint,
    ppc_06                      double precision,
    prsi_06                     bigint,
    ppc_07                      double precision,
    prsi_07                     bigint,
    ppc_08                      double precision,
    prsi_08                     bigint,
    ppc_09                      double precision,
    prsi_09                     bigint,
    ppc_10                      double precision,
    prsi_10                     bigint,
    ppc_11                      double precision,
    prsi_11                     bigint,
    ppc_12                      double precision,
    prsi_12                     bigint,
    ppc_13                      double precision,
    prsi_13                     bigint,
    ppc_14                      double precision,
    prsi_14                     bigint,
    ppc_15                      double precision,
    prsi_15                     bigint,
    ppc_16                      double precision,
    prsi_16                     bigint,
    ppc_17                      double precision,
    prsi_17                     bigint,
    ppc_18                      double precision,
    prsi_18                     bigint,
    ppc_19                      double precision,
    prsi_19                     bigint,
    ppc_20                      double precision,
    prsi_20                     bigint,
    ppc_21                      double precision,
    prsi_21                     bigint,
    ppc_22                      double precision,
    prsi_22                     bigint,
    ppc_23                      double precision,
    prsi_23                     bigint,
    ppc_24                      double precision,
    prsi_24                     bigint,
    ppc_25                      double precision,
    prsi_25                     bigint,
    ppc_26                      double precision,
    prsi_26                     bigint,
    ppc_27                      double precision,
    prsi_27                     bigint,
    ppc_28                      double precision,
    prsi_28                     bigint,
    ppc_29                      double precision,
    prsi_29                     bigint,
    ppc_30                      double precision,
    prsi_30                     bigint,
    ppc_31                      double precision,
    prsi_31                     bigint,
    ppc_32                      double precision,
    prsi_32                     bigint,
    ppc_33                      double precision,
    prsi_33                     bigint,
    ppc_34                      double precision,
    prsi_34                     bigint,
    ppc_35                      double precision,
    prsi_35                     bigint,
    ppc_36                      double precision,
    prsi_36                     bigint,
    ppc_37                      double precision,
    prsi_37                     bigint,
    ppc_38                      double precision,
    prsi_38                     bigint,
    ppc_39                      double precision,
    prsi_39                     bigint,
    ppc_40                      double precision,
    prsi_40                     bigint,
    ppc_41                      double precision,
    prsi_41                     bigint,
    ppc_42                      double precision,
    prsi_42                     bigint,
    ppc_43                      double precision,
    prsi_43                     bigint,
    ppc_44                      double precision,
    prsi_44                     bigint,
    ppc_45                      double precision,
    prsi_45                     bigint,
    ppc_46                      double precision,
    prsi_46                     bigint,
    ppc_47                      double precision,
    prsi_47                     bigint,
    ppc_48                      double precision,
    prsi_48                     bigint,
    ppc_49                      double precision,
    prsi_49                     bigint,
    ppc_50                      double precision,
    prsi_50                     bigint
);

-- +goose Down
drop table raw.d0018_period_profile_coefficients;
drop table raw.d0018_basic_period_profile_coefficients;
