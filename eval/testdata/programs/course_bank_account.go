package main

import (
	"errors"
	"fmt"
	"sync"
)

type Account struct {
	mu      sync.Mutex
	balance int
}

var ErrInsufficient = errors.New("insufficient funds")

func (a *Account) Deposit(n int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.balance += n
}

func (a *Account) Withdraw(n int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n > a.balance {
		return fmt.Errorf("withdraw %d: %w", n, ErrInsufficient)
	}
	a.balance -= n
	return nil
}

func main() {
	acct := &Account{}
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() { acct.Deposit(10) })
	}
	wg.Wait()
	failures := 0
	var fmu sync.Mutex
	for range 60 {
		wg.Go(func() {
			if err := acct.Withdraw(10); err != nil {
				fmu.Lock()
				failures++
				fmu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Println("balance", acct.balance, "failures", failures)
	fmt.Println(acct.Withdraw(1))
}
