//go:build unix

package testservers

import (
	"errors"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsdynamodb "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDynamoDBLocal(t *testing.T) {
	endpoint := DynamoDBLocal(t)
	if again := DynamoDBLocal(t); again != endpoint {
		t.Fatalf("second call started another server: %s, then %s", endpoint, again)
	}
	client := NewDynamoDBClient(t, endpoint)
	name := NewDynamoDBTable(t, client)
	out, err := client.DescribeTable(t.Context(), &awsdynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	tbl := out.Table
	if tbl.TableStatus != types.TableStatusActive || len(tbl.LocalSecondaryIndexes) != 1 ||
		tbl.StreamSpecification == nil || tbl.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("table %s: status %s, %d local indexes, stream %+v", name, tbl.TableStatus, len(tbl.LocalSecondaryIndexes), tbl.StreamSpecification)
	}
	if other := NewDynamoDBTable(t, client); other == name {
		t.Errorf("two tables named %s", name)
	}
}

func TestStopDynamoDBLocal(t *testing.T) {
	DynamoDBLocal(t)
	pid := dynamoDBLocal.cmd.Process.Pid
	StopDynamoDBLocal()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("the JVM (pid %d) still exists after StopDynamoDBLocal: %v", pid, err)
	}
	// A later call starts a new server.
	client := NewDynamoDBClient(t, DynamoDBLocal(t))
	if _, err := client.ListTables(t.Context(), &awsdynamodb.ListTablesInput{}); err != nil {
		t.Fatalf("ListTables on the restarted server: %v", err)
	}
	StopDynamoDBLocal()
}
