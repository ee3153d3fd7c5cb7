package yamlx

import (
	"strings"
)

// Suggest returns the candidate closest to word when it is a plausible typo
// of it, and "" otherwise. A candidate matches when it equals word ignoring
// case and '-'/'_' differences, or when its edit distance (insertions,
// deletions, substitutions and adjacent transpositions) to word is at most 1
// for words up to 4 characters and at most 2 for longer ones. Ties go to the
// earliest candidate, so pass candidates in a stable order.
func Suggest(word string, candidates []string) string {
	norm := func(s string) string { return strings.ReplaceAll(strings.ToLower(s), "-", "_") }
	nw := norm(word)
	for _, c := range candidates {
		if c != word && norm(c) == nw {
			return c
		}
	}
	limit := 2
	if len([]rune(word)) <= 4 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		if d := editDistance(nw, norm(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		// Keys this long are never typos of a known key; avoid quadratic work
		// on hostile input.
		if a == b {
			return 0
		}
		return len(ra) + len(rb)
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
