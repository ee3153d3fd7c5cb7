package main

import "context"

func runB1(ctx context.Context, e *benchEnv) error { return nil }
func runB3(ctx context.Context, e *benchEnv) error { return nil }
func runB4(ctx context.Context, e *benchEnv) error { return nil }
