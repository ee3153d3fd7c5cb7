-- The billing platform's REST APIs (cdw extract billing), one account at
-- a time. Every table carries the account it was fetched for, the run
-- (load_id) and when (fetched_at). The meter point tree is flattened with
-- its keys carried down exactly as the platform's legacy extract did
-- (names lower-cased); each account's rows of an entity are replaced as a
-- whole when the platform's answer changes, and readings are merged by
-- register_reading_id, so a refetch never duplicates. Dates are the
-- platform's wall-clock datetimes (timestamp, no zone); a missing value,
-- whether null or "", is NULL.

-- +goose Up
-- Every response body kept as received, so any table here can be rebuilt
-- without calling the API again. A body is stored once per request path:
-- response_id is the SHA-256 of the request path and the body.
create table raw.billing_responses (
    load_id         text        not null,
    fetched_at      timestamptz not null,
    account_id      bigint      not null,
    response_id     text        not null,
    entity          text        not null,   -- meterpoints, readings, billable_readings, estimates, tariffs, account_status
    request_method  text        not null,
    request_path    text        not null,   -- path and query as sent, without host
    page            bigint      not null,   -- 1.. for paged endpoints, 0 otherwise
    status_code     bigint      not null,
    body_sha256     text        not null,
    body            text        not null    -- the JSON body
);
create unique index billing_responses_key on raw.billing_responses (account_id, response_id);

-- GET /Accounts/{account}/MeterPoints?includeHistory=true: [] (one row per meter point)
create table raw.billing_meterpoints (
    load_id               text        not null,
    fetched_at            timestamptz not null,
    account_id            bigint      not null,
    meter_point_id        bigint      not null,  -- id
    meterpointnumber      bigint,                -- MPAN core (E) or MPRN (G)
    meterpointtype        text,                  -- E or G
    associationstartdate  timestamp,
    associationenddate    timestamp,
    supplystartdate       timestamp,
    supplyenddate         timestamp,
    issmart               boolean,
    issmartcommunicating  boolean
);

-- [].attributes[] (effective-dated)
create table raw.billing_meterpoint_attributes (
    load_id                          text        not null,
    fetched_at                       timestamptz not null,
    account_id                       bigint      not null,
    meter_point_id                   bigint      not null,
    attributes_attributename         text,
    attributes_attributedescription  text,
    attributes_attributevalue        text,
    attributes_effectivefromdate     timestamp,
    attributes_effectivetodate       timestamp
);

-- [].meters[]
create table raw.billing_meters (
    load_id            text        not null,
    fetched_at         timestamptz not null,
    account_id         bigint      not null,
    meter_point_id     bigint      not null,
    meter_id           bigint      not null,  -- meterId
    meterserialnumber  text,
    installeddate      timestamp,
    removeddate        timestamp               -- NULL: still installed
);

-- [].meters[].attributes[]
create table raw.billing_meter_attributes (
    load_id                                text        not null,
    fetched_at                             timestamptz not null,
    account_id                             bigint      not null,
    meter_point_id                         bigint      not null,
    meter_id                               bigint      not null,
    metersattributes_attributename         text,
    metersattributes_attributedescription  text,
    metersattributes_attributevalue        text
);

-- [].meters[].registers[]
create table raw.billing_registers (
    load_id                         text             not null,
    fetched_at                      timestamptz      not null,
    account_id                      bigint           not null,
    meter_point_id                  bigint           not null,
    meter_id                        bigint           not null,
    register_id                     bigint           not null,  -- registers[].id
    registers_registerreference     text,
    registers_eacaq                 double precision,
    registers_sourceidtype          text,
    registers_tariffcomponent       text,
    registers_tpr                   text,                       -- as delivered ("00001")
    registers_tprperioddescription  text
);

-- [].meters[].registers[].attributes[]
create table raw.billing_register_attributes (
    load_id                                   text        not null,
    fetched_at                                timestamptz not null,
    account_id                                bigint      not null,
    meter_point_id                            bigint      not null,
    meter_id                                  bigint      not null,
    register_id                               bigint      not null,
    registersattributes_attributename         text,
    registersattributes_attributedescription  text,
    registersattributes_attributevalue        text
);

-- POST /api/account/{account}/meter-readings (paged, newest first): items[]
create table raw.billing_meter_readings (
    load_id                  text             not null,
    fetched_at               timestamptz      not null,
    account_id               bigint           not null,  -- accountId
    meter_point_id           bigint,                     -- meterPointId
    meter_id                 bigint,                     -- meterId
    meter_reading_id         bigint,                     -- meterReadingId (the reading event)
    register_id              bigint,                     -- registerId
    register_reading_id      bigint           not null,  -- registerReadingId
    billable                 boolean,
    haslivecharge            boolean,
    hasregisteradvance       boolean,
    meterpointnumber         bigint,
    meterpointtype           text,
    meterreadingcreateddate  timestamp,
    meterreadingdatetime     timestamp,
    meterreadingsourceuid    text,
    meterreadingstatusuid    text,
    meterreadingtypeuid      text,
    meterserialnumber        text,
    readingvalue             double precision,
    registerreference        text,
    required                 boolean
);
create unique index billing_meter_readings_key on raw.billing_meter_readings (account_id, register_reading_id);

-- GET /Accounts/{account}/MeterPoints/{meter_point_id}/Readings?isBilleable=true:
-- one row per register value of each billable reading event.
create table raw.billing_billable_readings (
    load_id             text             not null,
    fetched_at          timestamptz      not null,
    account_id          bigint           not null,
    meter_point_id      bigint           not null,  -- the meter point asked for
    id                  bigint,                     -- the reading event
    meterpointid        bigint,
    readingtype         text,
    datetime            timestamp,
    createddate         timestamp,
    meterreadingsource  text,
    reading_id          bigint,                     -- readings[].id
    reading_registerid  bigint,
    reading_value       double precision
);

-- GET /api/accounts/{account}/estimatedusage: the industry EAC (E) and AQ
-- (G) history per register; an open-ended period ends 9999-12-31 23:59:59.
create table raw.billing_estimates (
    load_id           text             not null,
    fetched_at        timestamptz      not null,
    account_id        bigint           not null,
    fuel              text             not null,  -- E (Electricity[]) or G (Gas[])
    mpxn              bigint,                     -- MPAN or MPRN
    register_id       text,
    serial_number     text,
    is_live           boolean,
    effective_from    timestamp,
    effective_to      timestamp,
    estimation_value  double precision
);

-- GET /Accounts/{account}/TariffsWithHistory: one row per tariff period ...
create table raw.billing_tariffs (
    load_id             text             not null,
    fetched_at          timestamptz      not null,
    account_id          bigint           not null,
    tariff_name         text,
    start_date          timestamp,
    end_date            timestamp,
    tariff_type         text,
    exit_fees           double precision,
    discounts           text,              -- JSON array as delivered
    attributes          text,              -- JSON object as delivered
    product_id          bigint,
    product_version_id  bigint
);

-- ... and one per rate: {Electricity,Gas}.{unitRates,standingChargeRates}[]
create table raw.billing_tariff_rates (
    load_id                   text             not null,
    fetched_at                timestamptz      not null,
    account_id                bigint           not null,
    tariff_name               text,
    start_date                timestamp,
    end_date                  timestamp,
    fuel                      text             not null,  -- E or G
    rate_kind                 text             not null,  -- unit (p/kWh) or standing (p/day)
    name                      text,
    rate                      double precision,
    registers                 text,                       -- JSON array of register ids, or NULL
    chargeable_component_uid  text
);

-- GET /Accounts/{account}/SupplyStatus: a bare JSON string.
create table raw.billing_account_status (
    load_id     text        not null,
    fetched_at  timestamptz not null,
    account_id  bigint      not null,
    status      text
);

-- +goose Down
drop table raw.billing_account_status;
drop table raw.billing_tariff_rates;
drop table raw.billing_tariffs;
drop table raw.billing_estimates;
drop table raw.billing_billable_readings;
drop table raw.billing_meter_readings;
drop table raw.billing_register_attributes;
drop table raw.billing_registers;
drop table raw.billing_meter_attributes;
drop table raw.billing_meters;
drop table raw.billing_meterpoint_attributes;
drop table raw.billing_meterpoints;
drop table raw.billing_responses;
