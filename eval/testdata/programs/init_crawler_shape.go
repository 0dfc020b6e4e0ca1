package main

import (
	"fmt"
	"sort"
	"sync"
)

type fakeResult struct {
	body string
	urls []string
}

type fakeFetcher map[string]*fakeResult

func (f fakeFetcher) Fetch(url string) (string, []string, error) {
	if res, ok := f[url]; ok {
		return res.body, res.urls, nil
	}
	return "", nil, fmt.Errorf("not found: %s", url)
}

type visited struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (v *visited) visit(url string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.seen[url] {
		return false
	}
	v.seen[url] = true
	return true
}

func Crawl(url string, depth int, v *visited, wg *sync.WaitGroup, out chan<- string) {
	defer wg.Done()
	if depth <= 0 || !v.visit(url) {
		return
	}
	body, urls, err := fetcher.Fetch(url)
	if err != nil {
		out <- err.Error()
		return
	}
	out <- fmt.Sprintf("found: %s %q", url, body)
	for _, u := range urls {
		wg.Add(1)
		go Crawl(u, depth-1, v, wg, out)
	}
}

func main() {
	out := make(chan string, 100)
	var wg sync.WaitGroup
	wg.Add(1)
	Crawl("https://golang.org/", 4, &visited{seen: map[string]bool{}}, &wg, out)
	wg.Wait()
	close(out)
	var lines []string
	for l := range out {
		lines = append(lines, l)
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
}

var fetcher = fakeFetcher{
	"https://golang.org/": &fakeResult{
		"The Go Programming Language",
		[]string{"https://golang.org/pkg/", "https://golang.org/cmd/"},
	},
	"https://golang.org/pkg/": &fakeResult{
		"Packages",
		[]string{"https://golang.org/", "https://golang.org/cmd/", "https://golang.org/pkg/fmt/"},
	},
	"https://golang.org/pkg/fmt/": &fakeResult{
		"Package fmt",
		[]string{"https://golang.org/", "https://golang.org/pkg/"},
	},
}
