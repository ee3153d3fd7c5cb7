package billingsim

// The response shapes of the billing platform (domain.md §2), field for
// field and in its field order. Nullable values are pointers or `any`
// (the platform sends some missing values as null and some as "").

// MeterPoint is an element of GET /Accounts/{a}/MeterPoints.
type MeterPoint struct {
	AssociationStartDate string           `json:"associationStartDate"`
	AssociationEndDate   any              `json:"associationEndDate"`
	SupplyStartDate      string           `json:"supplyStartDate"`
	SupplyEndDate        any              `json:"supplyEndDate"`
	IsSmart              bool             `json:"isSmart"`
	IsSmartCommunicating bool             `json:"isSmartCommunicating"`
	ExternalReference    *string          `json:"externalReference"`
	ID                   int64            `json:"id"`
	MeterPointNumber     int64            `json:"meterPointNumber"`
	MeterPointType       string           `json:"meterPointType"`
	Meters               []Meter          `json:"meters"`
	Attributes           []DatedAttribute `json:"attributes"`
}

// DatedAttribute is a meter point attribute (effective-dated).
type DatedAttribute struct {
	AttributeName        string `json:"attributeName"`
	AttributeValue       string `json:"attributeValue"`
	EffectiveFromDate    any    `json:"effectiveFromDate"`
	EffectiveToDate      any    `json:"effectiveToDate"`
	AttributeDescription string `json:"attributeDescription"`
}

// Attribute is a meter or register attribute.
type Attribute struct {
	AttributeName        string `json:"attributeName"`
	AttributeValue       string `json:"attributeValue"`
	AttributeDescription string `json:"attributeDescription"`
}

// Meter is an element of MeterPoint.Meters.
type Meter struct {
	MeterID           int64       `json:"meterId"`
	MeterSerialNumber string      `json:"meterSerialNumber"`
	InstalledDate     string      `json:"installedDate"`
	RemovedDate       any         `json:"removedDate"`
	Registers         []Register  `json:"registers"`
	Attributes        []Attribute `json:"attributes"`
}

// Register is an element of Meter.Registers.
type Register struct {
	ID                   int64       `json:"id"`
	RegisterReference    string      `json:"registerReference"`
	TariffComponent      *string     `json:"tariffComponent"`
	Attributes           []Attribute `json:"attributes"`
	TPR                  *string     `json:"tpr"`
	TPRPeriodDescription *string     `json:"tprPeriodDescription"`
	EacAq                float64     `json:"eacAq"`
	SourceIDType         string      `json:"sourceIdType"`
}

// ReadingsPage is the envelope of POST /api/account/{a}/meter-readings.
type ReadingsPage struct {
	Page         int       `json:"page"`
	ItemsPerPage int       `json:"itemsPerPage"`
	Items        []Reading `json:"items"`
	Total        int       `json:"total"`
	TotalPages   int       `json:"totalPages"`
}

// Reading is one internal meter reading (§2.2), all 20 fields.
type Reading struct {
	RegisterReadingID       int64   `json:"registerReadingId"`
	RegisterID              int64   `json:"registerId"`
	AccountID               int64   `json:"accountId"`
	MeterID                 int64   `json:"meterId"`
	MeterPointID            int64   `json:"meterPointId"`
	MeterReadingID          int64   `json:"meterReadingId"`
	MeterPointType          string  `json:"meterPointType"`
	MeterPointNumber        int64   `json:"meterPointNumber"`
	MeterSerialNumber       string  `json:"meterSerialNumber"`
	RegisterReference       string  `json:"registerReference"`
	MeterReadingDateTime    string  `json:"meterReadingDateTime"`
	ReadingValue            float64 `json:"readingValue"`
	MeterReadingTypeUID     string  `json:"meterReadingTypeUID"`
	MeterReadingSourceUID   string  `json:"meterReadingSourceUID"`
	MeterReadingStatusUID   string  `json:"meterReadingStatusUID"`
	Billable                bool    `json:"billable"`
	Required                bool    `json:"required"`
	MeterReadingCreatedDate string  `json:"meterReadingCreatedDate"`
	HasLiveCharge           bool    `json:"hasLiveCharge"`
	HasRegisterAdvance      bool    `json:"hasRegisterAdvance"`
}

// BillableReading is one reading event of GET
// /Accounts/{a}/MeterPoints/{mp}/Readings?isBilleable=true (§2.3).
type BillableReading struct {
	ID                 int64           `json:"id"`
	ReadingType        string          `json:"readingType"`
	MeterPointID       int64           `json:"meterPointId"`
	DateTime           string          `json:"dateTime"`
	CreatedDate        string          `json:"createdDate"`
	MeterReadingSource string          `json:"meterReadingSource"`
	Readings           []RegisterValue `json:"readings"`
}

// RegisterValue is one register's value inside a BillableReading.
type RegisterValue struct {
	ID         int64   `json:"id"`
	RegisterID int64   `json:"registerId"`
	Value      float64 `json:"value"`
}

// EstimatedUsage is GET /api/accounts/{a}/estimatedusage (§2.4).
type EstimatedUsage struct {
	Electricity []ElecEstimate `json:"Electricity"`
	Gas         []GasEstimate  `json:"Gas"`
}

// ElecEstimate is an industry EAC period of one register.
type ElecEstimate struct {
	MPAN            int64   `json:"MPAN"`
	RegisterID      string  `json:"RegisterId"`
	EffectiveFrom   string  `json:"EffectiveFrom"`
	EffectiveTo     string  `json:"EffectiveTo"`
	EstimationValue float64 `json:"EstimationValue"`
	SerialNumber    string  `json:"SerialNumber"`
	IsLive          bool    `json:"IsLive"`
}

// GasEstimate is an industry AQ period of one register.
type GasEstimate struct {
	MPRN            int64   `json:"MPRN"`
	RegisterID      string  `json:"RegisterId"`
	EffectiveFrom   string  `json:"EffectiveFrom"`
	EffectiveTo     string  `json:"EffectiveTo"`
	EstimationValue float64 `json:"EstimationValue"`
	SerialNumber    string  `json:"SerialNumber"`
	IsLive          bool    `json:"IsLive"`
}

// Tariff is an element of GET /Accounts/{a}/TariffsWithHistory.
type Tariff struct {
	TariffName       string            `json:"tariffName"`
	StartDate        string            `json:"startDate"`
	EndDate          *string           `json:"endDate"`
	Electricity      *FuelRates        `json:"Electricity"`
	Gas              *FuelRates        `json:"Gas"`
	Discounts        []any             `json:"discounts"`
	TariffType       string            `json:"tariffType"`
	ExitFees         float64           `json:"exitFees"`
	Attributes       map[string]string `json:"attributes"`
	ProductID        int64             `json:"productId"`
	ProductVersionID int64             `json:"productVersionId"`
}

// FuelRates are one fuel's rates in a tariff period.
type FuelRates struct {
	UnitRates           []Rate `json:"unitRates"`
	StandingChargeRates []Rate `json:"standingChargeRates"`
}

// Rate is a unit rate (p/kWh) or a standing charge (p/day).
type Rate struct {
	Name                   string  `json:"name"`
	Rate                   float64 `json:"rate"`
	Registers              []int64 `json:"registers"`
	ChargeableComponentUID string  `json:"chargeableComponentUID"`
}
