package mp

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"
)

// The targets of the queue and pipe tests' children (see testTargets).
var queueTargets = map[string]any{
	"putSquare":       putSquare,
	"produceTagged":   produceTagged,
	"consumeTagged":   consumeTagged,
	"getOneInto":      getOneInto,
	"putThenSleep":    putThenSleep,
	"callJobMethod":   callJobMethod,
	"sendAndClose":    sendAndClose,
	"echoUntilEOF":    echoUntilEOF,
	"readyThenSleep":  readyThenSleep,
	"sendThroughJob":  sendThroughJob,
	"recvOneAndPrint": recvOneAndPrint,
	"taskWorker":      taskWorker,
	"pingPong":        pingPong,
}

// qjob is a type of the "notebook" with a method, sent through queues and
// pipes.
type qjob struct {
	Name string
	N    int
}

func (j qjob) Describe() string { return fmt.Sprintf("%s#%d", j.Name, j.N*j.N) }

// pipeJob carries a pipe end inside a struct.
type pipeJob struct {
	Label string
	Out   *Conn
}

var _ = func() int {
	testTypes["qjob"] = reflect.TypeOf(qjob{})
	testTypes["pipeJob"] = reflect.TypeOf(pipeJob{})
	testTypes["[]string"] = reflect.TypeOf([]string(nil))
	return 0
}()

func putSquare(n int, q *Queue) { q.Put(n * n) }

// produceTagged puts [producer, seq] for seq in 0..n-1.
func produceTagged(q *Queue, producer, n int) {
	for seq := range n {
		q.Put([]int{producer, seq})
	}
}

// consumeTagged gets tagged items until it gets nil, checking that each
// producer's items come in order, and reports [count, disorder, sum of
// seqs] on results.
func consumeTagged(q, results *Queue) {
	last := map[int]int{}
	count, disorder, sum := 0, 0, 0
	for {
		v := q.Get()
		if v == nil {
			break
		}
		item := v.([]int)
		if prev, ok := last[item[0]]; ok && item[1] <= prev {
			disorder++
		}
		last[item[0]] = item[1]
		count++
		sum += item[1]
	}
	results.Put([]int{count, disorder, sum})
}

func getOneInto(q, out *Queue) {
	fmt.Println("getting")
	out.Put(q.Get())
}

func putThenSleep(q *Queue, n int) {
	for i := range n {
		q.Put(i)
	}
	fmt.Println("put done")
	time.Sleep(time.Hour)
}

// callJobMethod gets a qjob and puts what its method says (seed 004).
func callJobMethod(q, out *Queue) {
	j := q.Get().(qjob)
	out.Put(j.Describe() + " in " + CurrentProcess().Name)
}

func sendAndClose(c *Conn, v any) {
	c.Send(v)
	c.Close()
}

// echoUntilEOF sends back what it receives, with its method called when it
// is a qjob, until EOF; then it says how many it got.
func echoUntilEOF(c *Conn) {
	n := 0
	for {
		v, err := c.RecvErr()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			panic(err)
		}
		if j, ok := v.(qjob); ok {
			v = j.Describe()
		}
		c.Send(v)
		n++
	}
	fmt.Println("echoed", n)
}

func readyThenSleep(c *Conn) {
	c.Send("ready")
	time.Sleep(time.Hour)
}

func sendThroughJob(j pipeJob) {
	j.Out.Send(j.Label + " via struct")
}

func recvOneAndPrint(c *Conn) {
	fmt.Printf("got %v\n", c.Recv())
}

func taskWorker(q *JoinableQueue, results *Queue) {
	for {
		v := q.Get()
		if v == nil {
			q.TaskDone()
			return
		}
		results.Put(v.(int) * 10)
		q.TaskDone()
	}
}

// pingPong answers each int with the int plus one, until -1.
func pingPong(c *Conn) {
	for {
		n := c.Recv().(int)
		if n < 0 {
			return
		}
		c.Send(n + 1)
	}
}

func sprintTyped(v any) string { return fmt.Sprintf("%v %T", v, v) }
