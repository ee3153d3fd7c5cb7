package billing

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The platform's response shapes (domain.md §2) as this extractor reads
// them: every field optional (a pointer: JSON null or absent is NULL), a
// field of the wrong JSON type rejects its record.

// when is a platform datetime: ISO-8601 without zone, optionally with
// fractional seconds ("2021-05-12T11:55:26.17"), or with a space instead
// of the T ("9999-12-31 23:59:59"), or a bare date. null and "" are NULL.
type when struct{ t *time.Time }

var whenLayouts = []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"}

// parseWhen parses a platform datetime as a wall clock in UTC.
func parseWhen(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range whenLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a datetime: %q", s)
}

func (w *when) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		w.t = nil
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("datetime: expected a string, got %s", b)
	}
	if strings.TrimSpace(s) == "" {
		w.t = nil
		return nil
	}
	t, err := parseWhen(s)
	if err != nil {
		return err
	}
	w.t = &t
	return nil
}

// val is the column value: time.Time or nil.
func (w when) val() any {
	if w.t == nil {
		return nil
	}
	return *w.t
}

// v returns *p, or nil for a nil pointer: the column value of an optional field.
func v[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

type meterPointJSON struct {
	ID                   *int64      `json:"id"`
	MeterPointNumber     *int64      `json:"meterPointNumber"`
	MeterPointType       *string     `json:"meterPointType"`
	AssociationStartDate when        `json:"associationStartDate"`
	AssociationEndDate   when        `json:"associationEndDate"`
	SupplyStartDate      when        `json:"supplyStartDate"`
	SupplyEndDate        when        `json:"supplyEndDate"`
	IsSmart              *bool       `json:"isSmart"`
	IsSmartCommunicating *bool       `json:"isSmartCommunicating"`
	Attributes           []datedAttr `json:"attributes"`
	Meters               []meterJSON `json:"meters"`
}

type datedAttr struct {
	Name        *string `json:"attributeName"`
	Description *string `json:"attributeDescription"`
	Value       *string `json:"attributeValue"`
	From        when    `json:"effectiveFromDate"`
	To          when    `json:"effectiveToDate"`
}

type attr struct {
	Name        *string `json:"attributeName"`
	Description *string `json:"attributeDescription"`
	Value       *string `json:"attributeValue"`
}

type meterJSON struct {
	MeterID           *int64         `json:"meterId"`
	MeterSerialNumber *string        `json:"meterSerialNumber"`
	InstalledDate     when           `json:"installedDate"`
	RemovedDate       when           `json:"removedDate"`
	Attributes        []attr         `json:"attributes"`
	Registers         []registerJSON `json:"registers"`
}

type registerJSON struct {
	ID                   *int64   `json:"id"`
	RegisterReference    *string  `json:"registerReference"`
	EacAq                *float64 `json:"eacAq"`
	SourceIDType         *string  `json:"sourceIdType"`
	TariffComponent      *string  `json:"tariffComponent"`
	TPR                  *string  `json:"tpr"`
	TPRPeriodDescription *string  `json:"tprPeriodDescription"`
	Attributes           []attr   `json:"attributes"`
}

// readingsEnvelope is one page of the internal meter readings.
type readingsEnvelope struct {
	Page       *int              `json:"page"`
	Items      []json.RawMessage `json:"items"`
	Total      *int              `json:"total"`
	TotalPages *int              `json:"totalPages"`
}

type readingJSON struct {
	RegisterReadingID       *int64   `json:"registerReadingId"`
	RegisterID              *int64   `json:"registerId"`
	AccountID               *int64   `json:"accountId"`
	MeterID                 *int64   `json:"meterId"`
	MeterPointID            *int64   `json:"meterPointId"`
	MeterReadingID          *int64   `json:"meterReadingId"`
	MeterPointType          *string  `json:"meterPointType"`
	MeterPointNumber        *int64   `json:"meterPointNumber"`
	MeterSerialNumber       *string  `json:"meterSerialNumber"`
	RegisterReference       *string  `json:"registerReference"`
	MeterReadingDateTime    when     `json:"meterReadingDateTime"`
	ReadingValue            *float64 `json:"readingValue"`
	MeterReadingTypeUID     *string  `json:"meterReadingTypeUID"`
	MeterReadingSourceUID   *string  `json:"meterReadingSourceUID"`
	MeterReadingStatusUID   *string  `json:"meterReadingStatusUID"`
	Billable                *bool    `json:"billable"`
	Required                *bool    `json:"required"`
	MeterReadingCreatedDate when     `json:"meterReadingCreatedDate"`
	HasLiveCharge           *bool    `json:"hasLiveCharge"`
	HasRegisterAdvance      *bool    `json:"hasRegisterAdvance"`
}

type billableJSON struct {
	ID                 *int64  `json:"id"`
	ReadingType        *string `json:"readingType"`
	MeterPointID       *int64  `json:"meterPointId"`
	DateTime           when    `json:"dateTime"`
	CreatedDate        when    `json:"createdDate"`
	MeterReadingSource *string `json:"meterReadingSource"`
	Readings           []struct {
		ID         *int64   `json:"id"`
		RegisterID *int64   `json:"registerId"`
		Value      *float64 `json:"value"`
	} `json:"readings"`
}

type estimatedUsageJSON struct {
	Electricity []json.RawMessage `json:"Electricity"`
	Gas         []json.RawMessage `json:"Gas"`
}

type estimateJSON struct {
	MPAN            *int64   `json:"MPAN"`
	MPRN            *int64   `json:"MPRN"`
	RegisterID      *string  `json:"RegisterId"`
	EffectiveFrom   when     `json:"EffectiveFrom"`
	EffectiveTo     when     `json:"EffectiveTo"`
	EstimationValue *float64 `json:"EstimationValue"`
	SerialNumber    *string  `json:"SerialNumber"`
	IsLive          *bool    `json:"IsLive"`
}

type tariffJSON struct {
	TariffName       *string         `json:"tariffName"`
	StartDate        when            `json:"startDate"`
	EndDate          when            `json:"endDate"`
	TariffType       *string         `json:"tariffType"`
	ExitFees         *float64        `json:"exitFees"`
	Discounts        json.RawMessage `json:"discounts"`
	Attributes       json.RawMessage `json:"attributes"`
	ProductID        *int64          `json:"productId"`
	ProductVersionID *int64          `json:"productVersionId"`
	Electricity      *fuelRatesJSON  `json:"Electricity"`
	Gas              *fuelRatesJSON  `json:"Gas"`
}

type fuelRatesJSON struct {
	UnitRates           []rateJSON `json:"unitRates"`
	StandingChargeRates []rateJSON `json:"standingChargeRates"`
}

type rateJSON struct {
	Name                   *string         `json:"name"`
	Rate                   *float64        `json:"rate"`
	Registers              json.RawMessage `json:"registers"`
	ChargeableComponentUID *string         `json:"chargeableComponentUID"`
}

// rawText keeps a nested JSON value as text (NULL for null or absent).
func rawText(m json.RawMessage) any {
	if len(m) == 0 || bytes.Equal(m, []byte("null")) {
		return nil
	}
	return string(m)
}
