package beanstalktest

import (
	"fmt"
	"net/http"
)

// APIError is an error the simulator returns on the wire, with the code
// and message Elastic Beanstalk uses.
type APIError struct {
	Code    string
	Message string
	// Status is the HTTP status; 400 when zero.
	Status int
}

func (e *APIError) Error() string { return e.Code + ": " + e.Message }

func (e *APIError) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

func (e *APIError) faultType() string {
	if e.status() >= 500 {
		return "Receiver"
	}
	return "Sender"
}

// Error codes as Elastic Beanstalk sends them.
const (
	CodeInvalidParameterValue       = "InvalidParameterValue"
	CodeInvalidParameterCombination = "InvalidParameterCombination"
	CodeMissingParameter            = "MissingParameter"
	CodeThrottling                  = "Throttling"
	CodeTooManyEnvironments         = "TooManyEnvironmentsException"
	CodeTooManyApplications         = "TooManyApplicationsException"
	CodeTooManyApplicationVersions  = "TooManyApplicationVersionsException"
	CodeOperationInProgress         = "OperationInProgressFailure"
	CodeSourceBundleDeletion        = "SourceBundleDeletionFailure"
	CodeResourceNotFound            = "ResourceNotFoundException"
	CodeInsufficientPrivileges      = "InsufficientPrivilegesException"
	CodeInternalFailure             = "InternalFailure"
	CodeServiceUnavailable          = "ServiceUnavailable"
	CodeInvalidAction               = "InvalidAction"
)

func invalidParam(format string, args ...any) *APIError {
	return &APIError{Code: CodeInvalidParameterValue, Message: fmt.Sprintf(format, args...)}
}

func missingParam(name string) *APIError {
	return &APIError{Code: CodeMissingParameter, Message: fmt.Sprintf("The request must contain the parameter %s.", name)}
}

// mustBeReady is what Beanstalk answers for an operation on an
// environment that is launching, updating or terminating.
func mustBeReady(name string) *APIError {
	return invalidParam("Environment named %s is in an invalid state for this operation. Must be Ready.", name)
}
