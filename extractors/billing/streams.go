package billing

import "github.com/cdw-dev/cdw/internal/extract"

// Raw tables (created by migrations/00005_raw_billing.sql).
const (
	tResponses          = "billing_responses"
	tMeterPoints        = "billing_meterpoints"
	tMeterPointAttrs    = "billing_meterpoint_attributes"
	tMeters             = "billing_meters"
	tMeterAttrs         = "billing_meter_attributes"
	tRegisters          = "billing_registers"
	tRegisterAttrs      = "billing_register_attributes"
	tMeterReadings      = "billing_meter_readings"
	tBillableReadings   = "billing_billable_readings"
	tEstimates          = "billing_estimates"
	tTariffs            = "billing_tariffs"
	tTariffRates        = "billing_tariff_rates"
	tAccountStatus      = "billing_account_status"
	cAccountID          = "account_id"
	cRegisterReadingID  = "register_reading_id"
	textT, intT, floatT = extract.Text, extract.Int64, extract.Float64
	boolT, tsT, tstzT   = extract.Bool, extract.Timestamp, extract.TimestampTZ
)

// lineage are the first columns of every table: the run, when, and the
// account the rows were fetched for.
var lineage = []extract.Column{{Name: "load_id", Type: textT}, {Name: "fetched_at", Type: tstzT}, {Name: cAccountID, Type: intT}}

func stream(table string, cols ...extract.Column) extract.Stream {
	return extract.Stream{Table: table, Columns: append(append([]extract.Column(nil), lineage...), cols...)}
}

func col(name string, t extract.Type) extract.Column { return extract.Column{Name: name, Type: t} }

// streams returns the extractor's raw tables in migration order; their
// columns (after the lineage) are in the order the row builders emit.
func streams() []extract.Stream {
	return []extract.Stream{
		stream(tResponses, col("response_id", textT), col("entity", textT), col("request_method", textT), col("request_path", textT), col("page", intT),
			col("status_code", intT), col("body_sha256", textT), col("body", textT)),
		stream(tMeterPoints, col("meter_point_id", intT), col("meterpointnumber", intT), col("meterpointtype", textT),
			col("associationstartdate", tsT), col("associationenddate", tsT), col("supplystartdate", tsT), col("supplyenddate", tsT),
			col("issmart", boolT), col("issmartcommunicating", boolT)),
		stream(tMeterPointAttrs, col("meter_point_id", intT), col("attributes_attributename", textT), col("attributes_attributedescription", textT),
			col("attributes_attributevalue", textT), col("attributes_effectivefromdate", tsT), col("attributes_effectivetodate", tsT)),
		stream(tMeters, col("meter_point_id", intT), col("meter_id", intT), col("meterserialnumber", textT), col("installeddate", tsT), col("removeddate", tsT)),
		stream(tMeterAttrs, col("meter_point_id", intT), col("meter_id", intT), col("metersattributes_attributename", textT),
			col("metersattributes_attributedescription", textT), col("metersattributes_attributevalue", textT)),
		stream(tRegisters, col("meter_point_id", intT), col("meter_id", intT), col("register_id", intT), col("registers_registerreference", textT),
			col("registers_eacaq", floatT), col("registers_sourceidtype", textT), col("registers_tariffcomponent", textT),
			col("registers_tpr", textT), col("registers_tprperioddescription", textT)),
		stream(tRegisterAttrs, col("meter_point_id", intT), col("meter_id", intT), col("register_id", intT),
			col("registersattributes_attributename", textT), col("registersattributes_attributedescription", textT), col("registersattributes_attributevalue", textT)),
		stream(tMeterReadings, col("meter_point_id", intT), col("meter_id", intT), col("meter_reading_id", intT), col("register_id", intT),
			col(cRegisterReadingID, intT), col("billable", boolT), col("haslivecharge", boolT), col("hasregisteradvance", boolT),
			col("meterpointnumber", intT), col("meterpointtype", textT), col("meterreadingcreateddate", tsT), col("meterreadingdatetime", tsT),
			col("meterreadingsourceuid", textT), col("meterreadingstatusuid", textT), col("meterreadingtypeuid", textT),
			col("meterserialnumber", textT), col("readingvalue", floatT), col("registerreference", textT), col("required", boolT)),
		stream(tBillableReadings, col("meter_point_id", intT), col("id", intT), col("meterpointid", intT), col("readingtype", textT),
			col("datetime", tsT), col("createddate", tsT), col("meterreadingsource", textT), col("reading_id", intT),
			col("reading_registerid", intT), col("reading_value", floatT)),
		stream(tEstimates, col("fuel", textT), col("mpxn", intT), col("register_id", textT), col("serial_number", textT), col("is_live", boolT),
			col("effective_from", tsT), col("effective_to", tsT), col("estimation_value", floatT)),
		stream(tTariffs, col("tariff_name", textT), col("start_date", tsT), col("end_date", tsT), col("tariff_type", textT), col("exit_fees", floatT),
			col("discounts", textT), col("attributes", textT), col("product_id", intT), col("product_version_id", intT)),
		stream(tTariffRates, col("tariff_name", textT), col("start_date", tsT), col("end_date", tsT), col("fuel", textT), col("rate_kind", textT),
			col("name", textT), col("rate", floatT), col("registers", textT), col("chargeable_component_uid", textT)),
		stream(tAccountStatus, col("status", textT)),
	}
}

// Entities: what one API call (or one paged series of calls) returns per
// account, and the tables its rows go to.
const (
	EntityMeterPoints      = "meterpoints"
	EntityReadings         = "readings"
	EntityBillableReadings = "billable_readings"
	EntityEstimates        = "estimates"
	EntityTariffs          = "tariffs"
	EntityAccountStatus    = "account_status"
)

// Entities lists every entity in fetch order.
var Entities = []string{EntityMeterPoints, EntityBillableReadings, EntityReadings, EntityEstimates, EntityTariffs, EntityAccountStatus}

// entityTables are the tables each entity fills (besides billing_responses).
var entityTables = map[string][]string{
	EntityMeterPoints:      {tMeterPoints, tMeterPointAttrs, tMeters, tMeterAttrs, tRegisters, tRegisterAttrs},
	EntityReadings:         {tMeterReadings},
	EntityBillableReadings: {tBillableReadings},
	EntityEstimates:        {tEstimates},
	EntityTariffs:          {tTariffs, tTariffRates},
	EntityAccountStatus:    {tAccountStatus},
}
